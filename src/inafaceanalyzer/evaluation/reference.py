"""The original inaFaceAnalyzer paper's figures, to compare with.

Doukhan and Petit (2022), "inaFaceAnalyzer: a Python toolbox for large-scale
face-based description of gender representation in media with limited gender,
racial and age biases", JOSS (``paper.md`` in ina-foss/inaFaceAnalyzer). Their
default model (a ResNet50 trained on FairFace, 224 px faces) is not the one
shipped here (dlib's 32 px gender and 64 px age networks).
"""

from __future__ import annotations

import pandas as pd

PAPER = "Doukhan & Petit 2022 (JOSS), ResNet50 trained on FairFace"

# value / gender bias / racial bias / age bias, on UTKFace
PAPER_UTKFACE = pd.DataFrame(
    [("gender accuracy (%)", 94.8, -1.5, 0.4, 0.2), ("age RMSE (years)", 7.7, -2.7, 0.1, -3.5)],
    columns=["metric", "value", "gender_bias", "racial_bias", "age_bias"],
)

# FairFace faces resized to N x N pixels, then back up to 224
PAPER_FAIRFACE_RESOLUTION = pd.DataFrame(
    {
        "resolution": [10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 224],
        "accuracy": [0.637, 0.769, 0.835, 0.885, 0.909, 0.933, 0.943, 0.950, 0.954, 0.954, 0.953],
        "age_rmse": [14.9, 13.2, 10.9, 9.3, 8.4, 7.6, 7.2, 6.9, 6.8, 6.8, 6.8],
    }
)
