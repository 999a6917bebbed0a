"""Built-in connectors: in-process job workers for Camunda connector job types."""
