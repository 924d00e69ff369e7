"""Former path of :mod:`inafaceanalyzer.export.annotate`: an alias that is that module."""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("inafaceanalyzer.export.annotate")
