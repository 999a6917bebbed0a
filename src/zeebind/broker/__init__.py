"""The broker: the single writer between the edges and the engine."""

from zeebind.broker.broker import Backpressure, Broker, CommandRejected, JobStream
from zeebind.broker.clock import Clock, ManualClock, SystemClock

__all__ = [
    "Backpressure",
    "Broker",
    "Clock",
    "CommandRejected",
    "JobStream",
    "ManualClock",
    "SystemClock",
]
