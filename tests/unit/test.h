/*
 * test.h - what every unit test includes: cmocka and its prerequisites.
 */
#ifndef TEST_H
#define TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * A scratch directory for a test group: test_dir holds its name between
 * test_dir_setup() and test_dir_teardown(), which removes it whole.
 */
static char test_dir[64];

static inline int
test_dir_setup(void **state)
{
	(void)state;
	(void)snprintf(test_dir, sizeof(test_dir), "/tmp/unit_test.XXXXXX");
	return mkdtemp(test_dir) == NULL ? -1 : 0;
}

static inline int
test_dir_teardown(void **state)
{
	char cmd[128];

	(void)state;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* test_count - the entries of directory d, "." and ".." aside */
static inline size_t
test_count(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	(void)closedir(dp);
	return n;
}

/*
 * test_lockable - could another process take the lock every process
 * working on a queue file holds (an open file description lock on the
 * whole file) on the file at path now?
 */
static inline bool
test_lockable(const char *path)
{
	struct flock fl;
	int fd = open(path, O_RDWR);
	bool ok;

	assert_true(fd >= 0);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	ok = fcntl(fd, F_OFD_SETLK, &fl) == 0;
	(void)close(fd);
	return ok;
}

/*
 * For a scripted peer, a child process on the other end of a socket:
 * test_say(fd, s) writes all of s, or ends the child (exit 3);
 * test_line(fd, buf, len) reads one line into buf, its CR LF taken
 * off (cut to fit len); 0 at the end of the input.
 */
static inline void
test_say(int fd, const char *s)
{
	size_t n = strlen(s);

	if (write(fd, s, n) != (ssize_t)n)
		_exit(3);
}

static inline int
test_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	char ch;

	while (read(fd, &ch, 1) == 1) {
		if (ch == '\n') {
			if (n > 0 && buf[n - 1] == '\r')
				n--;
			buf[n] = '\0';
			return 1;
		}
		if (n + 1 < len)
			buf[n++] = ch;
	}
	return 0;
}

#endif /* TEST_H */
