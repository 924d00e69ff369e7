"""Decision functions of the dlib and faceres networks on the UTKFace dev set, cached for fitting.

    python benchmarks/classifiers_utkface.py [--limit N]

Writes ``bench-cache/classifiers_utkface.parquet``: per face, the labels and
each network's ``sex_decfunc`` (log-odds of male) and ``age_decfunc`` (expected
age), on the cropped faces (``--faces cropped`` of the evaluation command):
``dlib``, ``faceres`` (the fp32 file) and ``faceres_int8`` (the int8 file of
``--classifier ensemble_int8``). ``benchmarks/ensemble_fit.py`` fits the ensemble's weights on it;
``benchmarks/faceres_int8.py`` compares the ensemble with either faceres file.
"""

from __future__ import annotations

import time


from _shared import CACHE, utkface_sample
from inafaceanalyzer import PreprocessedImageAnalyzer
from inafaceanalyzer.classifiers import create
from inafaceanalyzer.classifiers.faceres import FaceresClassifier


def main() -> None:
    _, labels, paths = utkface_sample(__doc__)
    out = labels.copy()
    classifiers = {"dlib": create("dlib", device="cpu"), "faceres": FaceresClassifier("cpu", precision="fp32"),
                   "faceres_int8": FaceresClassifier("cpu", precision="int8")}
    for name, classifier in classifiers.items():
        start = time.perf_counter()
        df = PreprocessedImageAnalyzer(classifier, batch_len=32)(paths).set_index("frame")
        df = df.reindex(paths)
        out[f"sex_{name}"] = df.sex_decfunc.to_numpy()
        out[f"age_{name}"] = df.age_decfunc.to_numpy()
        print(f"{name}: {len(paths)} faces in {time.perf_counter() - start:.1f} s")
    CACHE.mkdir(exist_ok=True)
    out.to_parquet(CACHE / "classifiers_utkface.parquet")


if __name__ == "__main__":
    main()
