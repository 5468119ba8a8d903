/*
 * main - sendmail's entry point.  Everything else is in modes.c and
 * links into the unit tests.
 */
#include "modes.h"

int
main(int argc, char **argv)
{
	return smd_main(argc, argv);
}
