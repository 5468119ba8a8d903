/*
 * modes - what sendmail does once the command line and configuration
 * are known: one function per -b mode.
 *
 * SYNOPSIS
 *	exit(smd_main(argc, argv));
 *
 * DESCRIPTION
 *	smd_main() parses the command line (args), sets up logging (stderr
 *	for the command-line modes, syslog facility mail for the rest),
 *	loads the configuration (config) and runs the mode.  Its result is
 *	a sysexits code.  Modes this version does not have yet say so on
 *	stderr and return EX_UNAVAILABLE; they never pretend to succeed.
 */
#ifndef MODES_H
#define MODES_H

#include "sm_config.h"

int	smd_main(int, char **);

#endif /* MODES_H */
