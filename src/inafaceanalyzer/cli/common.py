"""Former path of :mod:`inafaceanalyzer._cli.common`: an alias that is that module."""

import importlib
import sys

if __name__ == "__main__":  # python -m inafaceanalyzer.cli.common
    import runpy

    runpy.run_module("inafaceanalyzer._cli.common", run_name="__main__", alter_sys=True)
else:
    sys.modules[__name__] = importlib.import_module("inafaceanalyzer._cli.common")
