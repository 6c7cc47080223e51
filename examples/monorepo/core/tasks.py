"""Background tasks: the TODO policy in action."""


def retry(job):
    # TODO[2026-01-15][PRIORITY:HIGH][OWNER:@ana][SCOPE:PROD][ISSUE:553] : cap retries, then alert
    # FIXME[2026-02-01][PRIORITY:LOW][OWNER:@bo][SCOPE:DOCS] : document the backoff, with "examples"
    return job.run()


def schedule(job):
    # TODO: move to the new scheduler
    # XXX[2026-13-01][PRIORITY:URGENT][OWNER:@ana][SCOPE:PROD] : bad date and priority
    # HACK[2026-03-01][PRIORITY:MED][OWNER:@cy][SCOPE:INFRA] : stray scope
    message = "TODO: this string is not a comment"
    return job.at(message)
