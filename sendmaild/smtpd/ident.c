/*
 * ident - RFC 1413 client; see ident.h.
 */
#include "ident.h"

#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sm_buf.h"
#include "sm_io.h"

#define IDENT_PORT	113
#define IDENT_MAXLINE	512

/* port_of - the port of an inet or inet6 address, -1 otherwise */
static int
port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return -1;
}

/* field - the n-th ':'-separated field of s (rest: to the end), trimmed */
static int
field(const char *s, int n, int rest, char *out, size_t len)
{
	const char *p = s, *e;
	size_t k;

	for (; n > 0; n--) {
		if ((p = strchr(p, ':')) == NULL)
			return -1;
		p++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	e = (!rest && strchr(p, ':') != NULL) ? strchr(p, ':') : p + strlen(p);
	k = (size_t)(e - p);
	while (k > 0 && isspace((unsigned char)p[k - 1]))
		k--;
	if (k >= len)
		k = len - 1;
	memcpy(out, p, k);
	out[k] = '\0';
	return 0;
}

/* ident_query - ask the client's identd who owns the connection */
int
ident_query(const struct sockaddr_storage *local,
    const struct sockaddr_storage *peer, const struct sm_deadline *dl,
    char *user, size_t len)
{
	struct sockaddr_storage dst = *peer, src = *local;
	char req[64], kind[64], os[64], id[256];
	struct sm_buf line;
	struct sm_io *io;
	int fd, rc = -1, lport = port_of(local), pport = port_of(peer);
	size_t i, o;
	socklen_t slen;

	if (lport < 0 || pport < 0)
		return -1;
	if (dst.ss_family == AF_INET) {
		((struct sockaddr_in *)&dst)->sin_port = htons(IDENT_PORT);
		((struct sockaddr_in *)&src)->sin_port = 0;
		slen = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&dst)->sin6_port = htons(IDENT_PORT);
		((struct sockaddr_in6 *)&src)->sin6_port = 0;
		slen = sizeof(struct sockaddr_in6);
	}
	if (sm_io_connect(&fd, (struct sockaddr *)&dst, slen,
	    (struct sockaddr *)&src, slen, dl) != SM_IO_OK)
		return -1;
	io = sm_io_new(fd, fd);
	sm_buf_init(&line, IDENT_MAXLINE);
	(void)snprintf(req, sizeof(req), "%d, %d\r\n", pport, lport);
	if (sm_io_write(io, req, strlen(req), dl) != SM_IO_OK ||
	    sm_io_getline(io, &line, IDENT_MAXLINE, dl) != SM_IO_OK)
		goto out;
	sm_buf_chomp(&line);
	/* "ports : USERID : os[,charset] : user" */
	if (field(line.data, 1, 0, kind, sizeof(kind)) < 0 ||
	    strcasecmp(kind, "USERID") != 0 ||
	    field(line.data, 2, 0, os, sizeof(os)) < 0 ||
	    field(line.data, 3, 1, id, sizeof(id)) < 0)
		goto out;
	os[strcspn(os, ",")] = '\0';
	o = 0;
	if (strcasecmp(os, "OTHER") == 0)
		o = (size_t)snprintf(user, len, "IDENT:");
	for (i = 0; id[i] != '\0' && o + 1 < len; i++)
		if (isgraph((unsigned char)id[i]) && id[i] != '@' &&
		    id[i] != '[' && id[i] != ']')
			user[o++] = id[i];
	user[o] = '\0';
	rc = o > 0 ? 0 : -1;
out:
	sm_buf_free(&line);
	sm_io_free(io);
	(void)close(fd);
	return rc;
}
