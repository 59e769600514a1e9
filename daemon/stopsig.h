/*
 * stopsig — a program that is stopping stays stopping.
 *
 * claimscrubd and claimscrub-web catch SIGTERM, SIGINT (and the daemon
 * SIGHUP) through libevent, which puts the default action back when their
 * events are freed.  A second stop signal that came during the teardown
 * (systemd's, or timeout(1)'s to its whole process group, or an impatient
 * operator's) then killed a program that had already logged its exit: exit
 * status 143 instead of 0.  stopsig_hold() blocks them for the rest of the
 * process's life; call it before freeing the signal events.
 */
#ifndef CLAIMSCRUB_STOPSIG_H
#define CLAIMSCRUB_STOPSIG_H

void stopsig_hold(void);

#endif
