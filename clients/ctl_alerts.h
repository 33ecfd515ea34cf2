/*
 * ctl_alerts.h - `tiendo-ctl alerts`: the active alerts, or their history,
 * from the daemon's JSON API.
 */
#ifndef TIENDO_CTL_ALERTS_H
#define TIENDO_CTL_ALERTS_H

/* argv[0] is "alerts".  Returns a sysexits code. */
int ctl_alerts(const char *base, int argc, char **argv);

#endif
