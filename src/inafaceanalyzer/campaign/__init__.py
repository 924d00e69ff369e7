"""Distributed campaigns: job lists run on a Ray cluster (or on this machine), resumable.

::

    from inafaceanalyzer.campaign import run_campaign
    from inafaceanalyzer.engines.jobs import AnalysisOptions
    summary = run_campaign("jobs.csv", AnalysisOptions(engine="video", fps=1))

Modules: :mod:`.joblist` (the CSV of jobs), :mod:`.status` (the status table),
:mod:`.worker` (what a worker runs), :mod:`.ray_backend` (the actor pool and
its scheduler), :mod:`.runner` (skip, resume, drive), :mod:`.cluster` (starting
or joining Ray nodes for the command lines).
"""

from .joblist import JobList, JobListError, read_joblist, write_joblist
from .ray_backend import CampaignError
from .runner import CampaignProgress, CampaignSummary, is_complete, run_campaign, stale_parts
from .status import STATES, STATUS_COLUMNS, StatusTable, default_status_path, read_status

__all__ = [
    "STATES",
    "STATUS_COLUMNS",
    "CampaignError",
    "CampaignProgress",
    "CampaignSummary",
    "JobList",
    "JobListError",
    "StatusTable",
    "default_status_path",
    "is_complete",
    "read_joblist",
    "read_status",
    "run_campaign",
    "stale_parts",
    "write_joblist",
]
