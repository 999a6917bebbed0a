"""Logic shared by processors: variables, expressions, incidents, flows, jobs, messages, errors."""
