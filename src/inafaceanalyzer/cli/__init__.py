"""Former path of the command-line modules, now :mod:`inafaceanalyzer._cli`: each ``cli.<command>`` module
is an alias that IS ``_cli.<command>`` (``python -m inafaceanalyzer.cli.<command>`` still runs it)."""
