"""Intents per value type, spelled as in Zeebe: commands imperative, events past participle."""

from enum import StrEnum


class DeploymentIntent(StrEnum):
    CREATE = "CREATE"
    CREATED = "CREATED"


class ProcessIntent(StrEnum):
    CREATED = "CREATED"
    DELETING = "DELETING"
    DELETED = "DELETED"


class DecisionIntent(StrEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"


class DecisionRequirementsIntent(StrEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"


class FormIntent(StrEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"


class ProcessInstanceCreationIntent(StrEnum):
    CREATE = "CREATE"
    CREATE_WITH_AWAITING_RESULT = "CREATE_WITH_AWAITING_RESULT"
    CREATED = "CREATED"


class ProcessInstanceResultIntent(StrEnum):
    COMPLETED = "COMPLETED"


class ProcessInstanceIntent(StrEnum):
    CANCEL = "CANCEL"
    ACTIVATE_ELEMENT = "ACTIVATE_ELEMENT"
    COMPLETE_ELEMENT = "COMPLETE_ELEMENT"
    TERMINATE_ELEMENT = "TERMINATE_ELEMENT"
    SEQUENCE_FLOW_TAKEN = "SEQUENCE_FLOW_TAKEN"
    ELEMENT_ACTIVATING = "ELEMENT_ACTIVATING"
    ELEMENT_ACTIVATED = "ELEMENT_ACTIVATED"
    ELEMENT_COMPLETING = "ELEMENT_COMPLETING"
    ELEMENT_COMPLETED = "ELEMENT_COMPLETED"
    ELEMENT_TERMINATING = "ELEMENT_TERMINATING"
    ELEMENT_TERMINATED = "ELEMENT_TERMINATED"
    ELEMENT_MIGRATED = "ELEMENT_MIGRATED"


class JobIntent(StrEnum):
    COMPLETE = "COMPLETE"
    TIME_OUT = "TIME_OUT"
    FAIL = "FAIL"
    UPDATE_RETRIES = "UPDATE_RETRIES"
    THROW_ERROR = "THROW_ERROR"
    RECUR_AFTER_BACKOFF = "RECUR_AFTER_BACKOFF"
    YIELD = "YIELD"
    UPDATE_TIMEOUT = "UPDATE_TIMEOUT"
    CANCEL = "CANCEL"
    CREATED = "CREATED"
    COMPLETED = "COMPLETED"
    TIMED_OUT = "TIMED_OUT"
    FAILED = "FAILED"
    RETRIES_UPDATED = "RETRIES_UPDATED"
    CANCELED = "CANCELED"
    ERROR_THROWN = "ERROR_THROWN"
    RECURRED_AFTER_BACKOFF = "RECURRED_AFTER_BACKOFF"
    YIELDED = "YIELDED"
    TIMEOUT_UPDATED = "TIMEOUT_UPDATED"
    MIGRATED = "MIGRATED"


class JobBatchIntent(StrEnum):
    ACTIVATE = "ACTIVATE"
    ACTIVATED = "ACTIVATED"


class IncidentIntent(StrEnum):
    CREATED = "CREATED"
    RESOLVE = "RESOLVE"
    RESOLVED = "RESOLVED"
    MIGRATED = "MIGRATED"


class MessageIntent(StrEnum):
    PUBLISH = "PUBLISH"
    PUBLISHED = "PUBLISHED"
    EXPIRE = "EXPIRE"
    EXPIRED = "EXPIRED"


class MessageSubscriptionIntent(StrEnum):
    CREATED = "CREATED"
    CORRELATING = "CORRELATING"
    CORRELATED = "CORRELATED"
    DELETED = "DELETED"
    MIGRATED = "MIGRATED"


class ProcessMessageSubscriptionIntent(StrEnum):
    CREATING = "CREATING"
    CREATED = "CREATED"
    CORRELATED = "CORRELATED"
    DELETING = "DELETING"
    DELETED = "DELETED"
    MIGRATED = "MIGRATED"


class MessageStartEventSubscriptionIntent(StrEnum):
    CREATED = "CREATED"
    CORRELATED = "CORRELATED"
    DELETED = "DELETED"


class VariableIntent(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    MIGRATED = "MIGRATED"


class VariableDocumentIntent(StrEnum):
    UPDATE = "UPDATE"
    UPDATED = "UPDATED"


class TimerIntent(StrEnum):
    CREATED = "CREATED"
    TRIGGER = "TRIGGER"
    TRIGGERED = "TRIGGERED"
    CANCEL = "CANCEL"
    CANCELED = "CANCELED"
    MIGRATED = "MIGRATED"


class ProcessEventIntent(StrEnum):
    TRIGGERING = "TRIGGERING"
    TRIGGERED = "TRIGGERED"


class SignalIntent(StrEnum):
    BROADCAST = "BROADCAST"
    BROADCASTED = "BROADCASTED"


class SignalSubscriptionIntent(StrEnum):
    CREATED = "CREATED"
    DELETED = "DELETED"
    MIGRATED = "MIGRATED"


class CompensationSubscriptionIntent(StrEnum):
    CREATED = "CREATED"
    TRIGGERED = "TRIGGERED"
    COMPLETED = "COMPLETED"
    DELETED = "DELETED"
    MIGRATED = "MIGRATED"


class EscalationIntent(StrEnum):
    ESCALATED = "ESCALATED"
    NOT_ESCALATED = "NOT_ESCALATED"


class ResourceDeletionIntent(StrEnum):
    DELETE = "DELETE"
    DELETING = "DELETING"
    DELETED = "DELETED"


class DecisionEvaluationIntent(StrEnum):
    EVALUATE = "EVALUATE"
    EVALUATED = "EVALUATED"
    FAILED = "FAILED"


class ProcessInstanceModificationIntent(StrEnum):
    MODIFY = "MODIFY"
    MODIFIED = "MODIFIED"


class ProcessInstanceMigrationIntent(StrEnum):
    MIGRATE = "MIGRATE"
    MIGRATED = "MIGRATED"
