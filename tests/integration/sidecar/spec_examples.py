"""The request bodies of the Zeebe command binding spec (Dapr docs), as printed there.

Only the keys differ: `$name` placeholders take the keys this run's engine handed out, since the
spec's
keys belong to somebody else's cluster. `DEPLOY_PROCESS` has the BPMN file where the spec writes
`YOUR_FILE_CONTENT`.
"""

from string import Template

TOPOLOGY = """{
  "data": {},
  "operation": "topology"
}"""

DEPLOY_PROCESS = Template("""{
  "data": $content,
  "metadata": {
    "fileName": "products-process.bpmn"
  },
  "operation": "deploy-process"
}""")

CREATE_INSTANCE_BY_ID = """{
  "data": {
    "bpmnProcessId": "products-process",
    "variables": {
      "productId": "some-product-id",
      "productName": "some-product-name",
      "productKey": "some-product-key"
    }
  },
  "operation": "create-instance"
}"""

CREATE_INSTANCE_BY_KEY = Template("""{
  "data": {
    "processDefinitionKey": $processDefinitionKey,
    "variables": {
      "productId": "some-product-id",
      "productName": "some-product-name",
      "productKey": "some-product-key"
    }
  },
  "operation": "create-instance"
}""")

CANCEL_INSTANCE = Template("""{
  "data": {
    "processInstanceKey": $processInstanceKey
  },
  "metadata": {},
  "operation": "cancel-instance"
}""")

SET_VARIABLES = Template("""{
  "data": {
    "elementInstanceKey": $elementInstanceKey,
    "variables": {
      "productId": "some-product-id",
      "productName": "some-product-name",
      "productKey": "some-product-key"
    }
  },
  "metadata": {},
  "operation": "set-variables"
}""")

RESOLVE_INCIDENT = Template("""{
  "data": {
    "incidentKey": $incidentKey
  },
  "metadata": {},
  "operation": "resolve-incident"
}""")

# As printed: no `data`/`operation` envelope, and an empty name. Dapr answers 500 for it.
PUBLISH_MESSAGE_AS_PRINTED = """{
  "messageName": "",
  "correlationKey": "2",
  "timeToLive": "1m",
  "variables": {
    "productId": "some-product-id",
    "productName": "some-product-name",
    "productKey": "some-product-key"
  }
}"""

# The same message in the envelope every other example uses, with a name.
PUBLISH_MESSAGE = """{
  "data": {
    "messageName": "product-message",
    "correlationKey": "2",
    "timeToLive": "1m",
    "variables": {
      "productId": "some-product-id",
      "productName": "some-product-name",
      "productKey": "some-product-key"
    }
  },
  "operation": "publish-message"
}"""

ACTIVATE_JOBS = """{
  "data": {
    "jobType": "fetch-products",
    "maxJobsToActivate": 5,
    "timeout": "5m",
    "workerName": "products-worker",
    "fetchVariables": [
      "productId",
      "productName",
      "productKey"
    ]
  },
  "metadata": {},
  "operation": "activate-jobs"
}"""

COMPLETE_JOB = Template("""{
  "data": {
    "jobKey": $jobKey,
    "variables": {
      "productId": "some-product-id",
      "productName": "some-product-name",
      "productKey": "some-product-key"
    }
  },
  "metadata": {},
  "operation": "complete-job"
}""")

FAIL_JOB = Template("""{
  "data": {
    "jobKey": $jobKey,
    "retries": 5,
    "errorMessage": "some error occurred"
  },
  "metadata": {},
  "operation": "fail-job"
}""")

UPDATE_JOB_RETRIES = Template("""{
  "data": {
    "jobKey": $jobKey,
    "retries": 10
  },
  "metadata": {},
  "operation": "update-job-retries"
}""")

THROW_ERROR = Template("""{
  "data": {
    "jobKey": $jobKey,
    "errorCode": "product-fetch-error",
    "errorMessage": "The product could not be fetched"
  },
  "metadata": {},
  "operation": "throw-error"
}""")
