"""Former path of :mod:`inafaceanalyzer.engines.leftout`: an alias that is that module."""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("inafaceanalyzer.engines.leftout")
