"""Former path of :mod:`inafaceanalyzer.export.label_layout`: an alias that is that module."""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("inafaceanalyzer.export.label_layout")
