"""Former path of :mod:`inafaceanalyzer.tracking.smoothing`: an alias that is that module."""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("inafaceanalyzer.tracking.smoothing")
