"""The Python API: pyzeebe's client, worker and errors, in-process or over gRPC.

from zeebind.api import ZeebeClient, ZeebeWorker, errors
"""

from zeebind.api import errors
from zeebind.api.client import ZeebeClient
from zeebind.api.errors import BusinessError
from zeebind.api.responses import Job
from zeebind.api.sync import SyncZeebeClient
from zeebind.api.worker import ZeebeTaskRouter, ZeebeWorker

__all__ = [
    "BusinessError",
    "Job",
    "SyncZeebeClient",
    "ZeebeClient",
    "ZeebeTaskRouter",
    "ZeebeWorker",
    "errors",
]
