/*
 * srv_cmd - command words and MAIL/RCPT parameters; see srv_cmd.h.
 */
#include "srv_cmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sm_addr.h"
#include "sm_log.h"

static const struct {
	const char	*word;
	enum srv_cmd	 cmd;
} commands[] = {
	{ "HELO", SRV_CMD_HELO }, { "EHLO", SRV_CMD_EHLO },
	{ "MAIL", SRV_CMD_MAIL }, { "RCPT", SRV_CMD_RCPT },
	{ "DATA", SRV_CMD_DATA }, { "RSET", SRV_CMD_RSET },
	{ "NOOP", SRV_CMD_NOOP }, { "QUIT", SRV_CMD_QUIT },
	{ "VRFY", SRV_CMD_VRFY }, { "EXPN", SRV_CMD_EXPN },
	{ "HELP", SRV_CMD_HELP }, { "VERB", SRV_CMD_VERB },
	{ "ETRN", SRV_CMD_ETRN }, { "STARTTLS", SRV_CMD_STARTTLS },
	{ "AUTH", SRV_CMD_AUTH }, { "TURN", SRV_CMD_OBSOLETE },
	{ "SEND", SRV_CMD_OBSOLETE }, { "SAML", SRV_CMD_OBSOLETE },
	{ "SOML", SRV_CMD_OBSOLETE }, { "GET", SRV_CMD_PROXY },
	{ "POST", SRV_CMD_PROXY }, { "CONNECT", SRV_CMD_PROXY },
	{ "USER", SRV_CMD_PROXY },
};

/* srv_cmd_lookup - the command of a line; *arg is the text after it */
enum srv_cmd
srv_cmd_lookup(const char *line, const char **arg)
{
	size_t n = strcspn(line, " \t"), i;

	*arg = line + n;
	while (**arg == ' ' || **arg == '\t')
		(*arg)++;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strlen(commands[i].word) == n &&
		    strncasecmp(commands[i].word, line, n) == 0)
			return commands[i].cmd;
	return SRV_CMD_UNKNOWN;
}

/* srv_cmd_name - the word of a command, for logs ("after ehlo") */
const char *
srv_cmd_name(enum srv_cmd cmd)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cmd == cmd)
			return commands[i].word;
	return "unknown";
}

/*
 * next_param - the next "KEY[=VALUE]" of params; returns the key length
 * (0 at the end) and points *val at the value ("" when none).
 */
static size_t
next_param(const char **pp, char *key, size_t keylen, char *val,
    size_t vallen)
{
	const char *p = *pp, *eq;
	size_t n, k;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, " \t");
	if (n == 0)
		return 0;
	eq = memchr(p, '=', n);
	k = eq != NULL ? (size_t)(eq - p) : n;
	(void)snprintf(key, keylen, "%.*s", (int)k, p);
	if (eq != NULL)
		(void)snprintf(val, vallen, "%.*s", (int)(n - k - 1), eq + 1);
	else
		val[0] = '\0';
	*pp = p + n;
	return n;
}

/* srv_cmd_mail_params - SIZE, BODY, RET, ENVID, AUTH */
int
srv_cmd_mail_params(const char *params, struct srv_mail_params *mp,
    char *reply, size_t len)
{
	char key[64], val[600], *end;
	const char *p = params;

	memset(mp, 0, sizeof(*mp));
	mp->size = -1;
	while (next_param(&p, key, sizeof(key), val, sizeof(val)) > 0) {
		if (strcasecmp(key, "SIZE") == 0) {
			errno = 0;
			mp->size = strtol(val, &end, 10);
			if (val[0] < '0' || val[0] > '9' || *end != '\0' ||
			    errno != 0)
				return sm_errbuf(reply, len, "501 5.5.2 Bad "
				    "argument \"%.40s\" to SIZE", val);
		} else if (strcasecmp(key, "BODY") == 0) {
			if (strcasecmp(val, "7BIT") != 0 &&
			    strcasecmp(val, "8BITMIME") != 0)
				return sm_errbuf(reply, len, "501 5.5.4 "
				    "Unknown BODY type %.40s", val);
			(void)sm_strlcpy(mp->body, strcasecmp(val, "7BIT") ==
			    0 ? "7BIT" : "8BITMIME", sizeof(mp->body));
		} else if (strcasecmp(key, "RET") == 0) {
			if (mp->ret[0] != '\0' ||
			    (strcasecmp(val, "FULL") != 0 &&
			    strcasecmp(val, "HDRS") != 0))
				return sm_errbuf(reply, len, "501 5.5.2 Bad "
				    "argument \"%.40s\" to RET", val);
			(void)sm_strlcpy(mp->ret, strcasecmp(val, "FULL") ==
			    0 ? "FULL" : "HDRS", sizeof(mp->ret));
		} else if (strcasecmp(key, "ENVID") == 0) {
			if (mp->envid[0] != '\0' || val[0] == '\0' ||
			    strlen(val) > 100 || !sm_addr_xtext_ok(val))
				return sm_errbuf(reply, len, "501 5.5.2 Bad "
				    "argument \"%.40s\" to ENVID", val);
			(void)sm_strlcpy(mp->envid, val, sizeof(mp->envid));
		} else if (strcasecmp(key, "AUTH") == 0) {
			if (!sm_addr_xtext_ok(val) || strlen(val) > 512)
				return sm_errbuf(reply, len, "501 5.5.2 Bad "
				    "argument \"%.40s\" to AUTH", val);
			(void)sm_strlcpy(mp->auth, val, sizeof(mp->auth));
		} else
			return sm_errbuf(reply, len, "555 5.5.4 %.40s "
			    "parameter unrecognized", key);
	}
	return 0;
}

/* srv_cmd_rcpt_params - NOTIFY and ORCPT */
int
srv_cmd_rcpt_params(const char *params, struct srv_rcpt_params *rp,
    char *reply, size_t len)
{
	char key[64], val[600], *w, *save = NULL;
	const char *p = params;

	memset(rp, 0, sizeof(*rp));
	while (next_param(&p, key, sizeof(key), val, sizeof(val)) > 0) {
		if (strcasecmp(key, "NOTIFY") == 0) {
			char copy[600];

			if (rp->notify != 0 || val[0] == '\0')
				return sm_errbuf(reply, len, "501 5.5.4 Bad "
				    "argument \"%.40s\"  to NOTIFY", val);
			rp->notify = SRV_NOTIFY_GIVEN;
			(void)sm_strlcpy(copy, val, sizeof(copy));
			for (w = strtok_r(copy, ",", &save); w != NULL;
			    w = strtok_r(NULL, ",", &save)) {
				if (strcasecmp(w, "NEVER") == 0)
					rp->notify |= SRV_NOTIFY_NEVER;
				else if (strcasecmp(w, "SUCCESS") == 0)
					rp->notify |= SRV_NOTIFY_SUCCESS;
				else if (strcasecmp(w, "FAILURE") == 0)
					rp->notify |= SRV_NOTIFY_FAILURE;
				else if (strcasecmp(w, "DELAY") == 0)
					rp->notify |= SRV_NOTIFY_DELAY;
				else
					return sm_errbuf(reply, len, "501 "
					    "5.5.4 Bad argument \"%.40s\"  to "
					    "NOTIFY", w);
			}
			if ((rp->notify & SRV_NOTIFY_NEVER) &&
			    (rp->notify & ~(SRV_NOTIFY_NEVER |
			    SRV_NOTIFY_GIVEN)))
				return sm_errbuf(reply, len, "501 5.5.4 Bad "
				    "argument \"%.40s\"  to NOTIFY", val);
		} else if (strcasecmp(key, "ORCPT") == 0) {
			if (rp->orcpt[0] != '\0' || strchr(val, ';') == NULL ||
			    !sm_addr_xtext_ok(strchr(val, ';') + 1) ||
			    strlen(val) > 500)
				return sm_errbuf(reply, len, "501 5.5.2 Bad "
				    "argument \"%.40s\" to ORCPT", val);
			(void)sm_strlcpy(rp->orcpt, val, sizeof(rp->orcpt));
		} else
			return sm_errbuf(reply, len, "555 5.5.4 %.40s "
			    "parameter unrecognized", key);
	}
	return 0;
}
