/*
 * sm_addr - RFC 5321 paths; see sm_addr.h.
 */
#include "sm_addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sm_alloc.h"
#include "sm_buf.h"

#define SM_ADDR_MAX	320	/* 64 local part + @ + 255 domain */

/* skip_quoted - past a quoted string starting at p ("), or NULL */
static const char *
skip_quoted(const char *p)
{
	for (p++; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/*
 * sm_addr_split - the path (brackets removed) and the parameters of a
 * MAIL or RCPT argument; both are allocated, params may be "".
 */
enum sm_addr_result
sm_addr_split(const char *arg, char **path, char **params)
{
	const char *p = arg, *start, *end;

	*path = *params = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '<') {
		start = ++p;
		while (*p != '\0' && *p != '>') {
			if (*p == '"') {
				if ((p = skip_quoted(p)) == NULL)
					return SM_ADDR_UNBALANCED;
			} else if (*p == '<')
				return SM_ADDR_UNBALANCED;
			else
				p++;
		}
		if (*p != '>')
			return SM_ADDR_UNBALANCED;
		end = p++;
		if (*p != '\0' && *p != ' ' && *p != '\t')
			return SM_ADDR_SYNTAX;
	} else {
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			if (*p == '"') {
				if ((p = skip_quoted(p)) == NULL)
					return SM_ADDR_UNBALANCED;
			} else if (*p == '>')
				return SM_ADDR_UNBALANCED;
			else
				p++;
		}
		end = p;
	}
	if ((size_t)(end - start) > SM_ADDR_MAX)
		return SM_ADDR_TOOLONG;
	while (*p == ' ' || *p == '\t')
		p++;
	*path = sm_strndup(start, (size_t)(end - start));
	*params = sm_strdup(p);
	return SM_ADDR_OK;
}

/* sm_addr_valid_domain - a host name or an address literal */
bool
sm_addr_valid_domain(const char *d)
{
	size_t label = 0;
	const char *p;

	if (*d == '[') {
		/* RFC 5321 4.1.3: an IPv4 address, or "IPv6:" and one. */
		char lit[INET6_ADDRSTRLEN + 8];
		unsigned char bin[sizeof(struct in6_addr)];
		size_t n = strlen(d);

		if (n < 3 || d[n - 1] != ']' || n - 2 >= sizeof(lit))
			return false;
		memcpy(lit, d + 1, n - 2);
		lit[n - 2] = '\0';
		if (strncasecmp(lit, "IPv6:", 5) == 0)
			return inet_pton(AF_INET6, lit + 5, bin) == 1;
		return inet_pton(AF_INET, lit, bin) == 1;
	}
	if (*d == '\0' || strlen(d) > 255)
		return false;
	for (p = d; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0 && p[1] != '\0')
				return false;	/* empty label */
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

/* sm_addr_parse - split a path into local part and domain */
enum sm_addr_result
sm_addr_parse(const char *path, struct sm_addr *a)
{
	const char *p = path, *at = NULL, *q;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (strlen(path) > SM_ADDR_MAX)
		return SM_ADDR_TOOLONG;
	for (q = p; *q != '\0'; q++)
		if ((unsigned char)*q >= 0x80)
			return SM_ADDR_8BIT;
	if (*p == '\0') {
		a->null = true;
		a->text = sm_strdup("");
		a->local = sm_strdup("");
		return SM_ADDR_OK;
	}
	/* A source route "@a,@b:" goes; the mailbox after it counts. */
	if (*p == '@') {
		if ((q = strchr(p, ':')) == NULL)
			return SM_ADDR_ROUTE;
		p = q + 1;
	}
	for (q = p; *q != '\0'; q++) {
		if (*q == '"') {
			if ((q = skip_quoted(q)) == NULL)
				return SM_ADDR_SYNTAX;
			q--;
			continue;
		}
		if (*q == '\\' && q[1] != '\0') {
			q++;
			continue;
		}
		if (*q == '@') {
			if (at != NULL)
				return SM_ADDR_ROUTE;
			at = q;
		} else if (*q == ';' || (*q == ':' && at == NULL))
			return SM_ADDR_LIST;
		else if ((unsigned char)*q < 0x20 || *q == 0x7f ||
		    *q == '<' || *q == '>' || *q == ',')
			return SM_ADDR_SYNTAX;
	}
	n = at != NULL ? (size_t)(at - p) : strlen(p);
	if (n == 0)
		return SM_ADDR_SYNTAX;
	if (at != NULL && at[1] == '\0')
		return SM_ADDR_NOHOST;
	if (at != NULL && !sm_addr_valid_domain(at + 1))
		return SM_ADDR_BADHOST;
	if (at == NULL && memchr(p, ' ', n) != NULL)
		return SM_ADDR_SYNTAX;
	a->local = sm_strndup(p, n);
	a->domain = at != NULL ? sm_strdup(at + 1) : NULL;
	a->text = sm_strdup(p);
	return SM_ADDR_OK;
}

/* sm_addr_errtext - the reply text for a result */
const char *
sm_addr_errtext(enum sm_addr_result r)
{
	switch (r) {
	case SM_ADDR_OK:
		return "OK";
	case SM_ADDR_UNBALANCED:
		return "Unbalanced '<'";
	case SM_ADDR_ROUTE:
		return "Invalid route address";
	case SM_ADDR_NOHOST:
		return "Hostname required";
	case SM_ADDR_BADHOST:
		return "Invalid host name";
	case SM_ADDR_LIST:
		return "List:; syntax illegal for recipient addresses";
	case SM_ADDR_SYNTAX:
		return "Syntax error in address";
	case SM_ADDR_TOOLONG:
		return "Address too long";
	case SM_ADDR_8BIT:
		return "Non-ASCII address not permitted without SMTPUTF8";
	}
	return "Syntax error in address";
}

/* sm_addr_dsn - the enhanced status code for a result */
const char *
sm_addr_dsn(enum sm_addr_result r)
{
	switch (r) {
	case SM_ADDR_UNBALANCED:
		return "5.0.0";
	case SM_ADDR_BADHOST:
		return "5.1.2";
	case SM_ADDR_8BIT:
		return "5.6.7";		/* RFC 6531 section 3.5 */
	default:
		return "5.1.3";
	}
}

/* sm_addr_free - release the parts */
void
sm_addr_free(struct sm_addr *a)
{
	free(a->local);
	free(a->domain);
	free(a->text);
	memset(a, 0, sizeof(*a));
}

/* list_item - the address in one element of an address list */
static void
list_item(const char *p, size_t n, struct sm_strlist *out)
{
	const char *lt = NULL, *gt = NULL, *q;
	struct sm_buf b;
	int depth = 0;
	size_t i;

	/* The last top-level <...> wins: "Name <a@b>". */
	for (i = 0; i < n; i++) {
		if (p[i] == '"' && depth == 0) {
			for (i++; i < n && p[i] != '"'; i++)
				if (p[i] == '\\' && i + 1 < n)
					i++;
		} else if (p[i] == '\\' && i + 1 < n)
			i++;
		else if (p[i] == '(')
			depth++;
		else if (p[i] == ')' && depth > 0)
			depth--;
		else if (p[i] == '<' && depth == 0)
			lt = p + i;
		else if (p[i] == '>' && depth == 0 && lt != NULL && gt < lt)
			gt = p + i;
	}
	if (lt != NULL && gt != NULL && gt > lt) {
		p = lt + 1;
		n = (size_t)(gt - lt - 1);
	}
	/* What is left without comments and folding white space. */
	sm_buf_init(&b, n + 1);
	depth = 0;
	for (q = p; q < p + n; q++) {
		if (*q == '\\' && q + 1 < p + n) {
			if (depth == 0)
				(void)sm_buf_append(&b, q, 2);
			q++;
		} else if (*q == '"' && depth == 0) {
			const char *e = q + 1;

			while (e < p + n && *e != '"') {
				if (*e == '\\' && e + 1 < p + n)
					e++;
				e++;
			}
			if (e >= p + n)
				e = p + n - 1;
			(void)sm_buf_append(&b, q, (size_t)(e - q) + 1);
			q = e;
		} else if (*q == '(')
			depth++;
		else if (*q == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !isspace((unsigned char)*q))
			(void)sm_buf_putc(&b, *q);
	}
	if (b.len > 0)
		sm_strlist_add(out, sm_buf_str(&b));
	sm_buf_free(&b);
}

/*
 * sm_addr_list - the addresses of an RFC 5322 address list (a To:, Cc:
 * or Bcc: value): "Name <a@b>", "a@b (Name)", quoted local parts,
 * groups ("team: a@b, c@d;"), nested comments.  Each address is added
 * to out without brackets; returns how many were added.
 */
size_t
sm_addr_list(const char *v, struct sm_strlist *out)
{
	size_t before = out->n;
	const char *start = v, *p;
	int depth = 0;
	bool angle = false;

	for (p = v;; p++) {
		if (*p == '\0' || ((*p == ',' || *p == ';') && depth == 0 &&
		    !angle)) {
			list_item(start, (size_t)(p - start), out);
			if (*p == '\0')
				break;
			start = p + 1;
		} else if (*p == '"' && depth == 0) {
			const char *e = skip_quoted(p);

			if (e == NULL)
				e = p + strlen(p);
			p = e - 1;
		} else if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		else if (*p == '<' && depth == 0)
			angle = true;
		else if (*p == '>' && depth == 0)
			angle = false;
		else if (*p == ':' && depth == 0 && !angle)
			start = p + 1;	/* "group:" names the group only */
	}
	return out->n - before;
}

/* sm_addr_xtext_ok - RFC 3461 xtext: printable, "+XX" escapes, no "=" */
bool
sm_addr_xtext_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 33 || *p > 126 || *p == '=')
			return false;
		if (*p == '+') {
			if (!isxdigit(p[1]) || !isxdigit(p[2]))
				return false;
			p += 2;
		}
	}
	return true;
}
