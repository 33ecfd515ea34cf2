/*
 * push_follow.h - tiendo-push --follow: sends what is queued, for ever.
 */
#ifndef TIENDO_PUSH_FOLLOW_H
#define TIENDO_PUSH_FOLLOW_H

#include "push_send.h"

/* Runs until SIGTERM or SIGINT.  Returns an exit status. */
int push_follow_run(struct push_sender *s);

#endif
