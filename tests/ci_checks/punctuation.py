"""Checks for the CI-format tests only: messages with the characters workflow commands must escape."""

from cfncheck.api import ERROR, WARNING, check


@check(
    "TST001",
    "test-queue-punctuation",
    WARNING,
    types=["AWS::SQS::Queue"],
    tags=("security",),
    options={"multiple": 6},
    fix="Nothing: this check exists for tests.",
)
def queue_punctuation(queue, ctx):
    """Reports every queue, with a message full of characters that need escaping."""
    for alt in ctx.values(queue, "Type"):
        message = f"Queue {queue.logical_id}: 100% sure, multiple={ctx.options['multiple']}"
        yield ctx.finding(queue, "Type", message, alt.scenario)


@check("TST002", "test-topic-error", ERROR, types=["AWS::SNS::Topic"])
def topic_error(topic, ctx):
    """Reports every topic as an error."""
    yield ctx.finding(topic, "Properties.TopicName", "Topic line one\nline two\r")
