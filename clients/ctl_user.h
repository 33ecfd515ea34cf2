/*
 * ctl_user.h - tiendo-ctl user: the dashboard's accounts file.
 */
#ifndef TIENDO_CTL_USER_H
#define TIENDO_CTL_USER_H

/* Default accounts file, beside the daemon's configuration. */
#define CTL_DEFAULT_ACCOUNTS "/etc/tiendo/accounts"

/* argv[0] is "user".  Returns a sysexits code. */
int ctl_user(int argc, char **argv);

#endif
