/*
 * ctl_alerts.h - `tiendo-ctl alerts`: the active alerts, or their history,
 * from the daemon's JSON API.
 */
#ifndef TIENDO_CTL_ALERTS_H
#define TIENDO_CTL_ALERTS_H

/* argv[0] is "alerts"; lang: tiendo-ctl's own --lang (NULL: none),
 * which the command's --lang overrides (lang.h).  Returns a sysexits
 * code. */
int ctl_alerts(const char *base, const char *lang, int argc, char **argv);

#endif
