/*
 * disklimit - how many durable 1 KB files per second this directory takes
 *
 * usage: disklimit DIR [COUNT]
 *
 * For each of COUNT files (default 2000): create a temporary file, write
 * 1 KB, fsync it, rename it to its final name and fsync the directory:
 * the least work any MTA must do to make one accepted message durable.
 * Prints "files/s N" and removes what it created.  One process, one file
 * at a time: the rate of a single writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
one_file(int dirfd, long i, const char *block, size_t len)
{
	char tmp[64], final[64];
	int fd;

	(void)snprintf(tmp, sizeof(tmp), "tf%06ld", i);
	(void)snprintf(final, sizeof(final), "qf%06ld", i);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, block, len) != (ssize_t)len || fsync(fd) < 0) {
		(void)close(fd);
		return -1;
	}
	if (close(fd) < 0 || renameat(dirfd, tmp, dirfd, final) < 0)
		return -1;
	return fsync(dirfd);
}

int
main(int argc, char **argv)
{
	char block[1024];
	char name[64];
	long count = 2000, i;
	double start, secs;
	int dirfd;

	if (argc < 2 || argc > 3) {
		(void)fprintf(stderr, "usage: disklimit DIR [COUNT]\n");
		return 64;
	}
	if (argc == 3 && (count = strtol(argv[2], NULL, 10)) <= 0) {
		(void)fprintf(stderr, "disklimit: bad count %s\n", argv[2]);
		return 64;
	}
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		(void)fprintf(stderr, "disklimit: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	memset(block, 'x', sizeof(block));
	start = now();
	for (i = 0; i < count; i++) {
		if (one_file(dirfd, i, block, sizeof(block)) < 0) {
			(void)fprintf(stderr, "disklimit: %s: %s\n", argv[1],
			    strerror(errno));
			return 1;
		}
	}
	secs = now() - start;
	for (i = 0; i < count; i++) {
		(void)snprintf(name, sizeof(name), "qf%06ld", i);
		(void)unlinkat(dirfd, name, 0);
	}
	(void)printf("files/s %.1f\n", (double)count / secs);
	return 0;
}
