/*
 * sm_addr - RFC 5321 paths: "<local@domain>" as MAIL and RCPT carry them.
 *
 * SYNOPSIS
 *	struct sm_addr a;
 *	r = sm_addr_split(arg, &path, &params)	path and ESMTP parameters
 *	r = sm_addr_parse(path, &a)		local part and domain
 *	sm_addr_errtext(r), sm_addr_dsn(r)	"Invalid route address", "5.1.3"
 *	n = sm_addr_list(header_value, &list)	addresses of To:, Cc:, Bcc:
 *	sm_addr_free(&a)
 *	sm_addr_xtext_ok(s)			RFC 3461 xtext (ENVID=,
 *						ORCPT=, sendmail -V)?
 *
 * DESCRIPTION
 *	UNTRUSTED INPUT.  sm_addr_split() takes the text after "FROM:" or
 *	"TO:" and finds the path (in angle brackets, quotes respected, or
 *	up to the first blank) and the parameters after it.  sm_addr_parse()
 *	takes a path without its brackets, drops a source route
 *	("@a,@b:user@c", RFC 5321 section 4.1.1.3 allows ignoring it), and
 *	splits local part and domain.  The null path "<>" parses with
 *	a.null set.  Domains are host names (letters, digits, hyphens, dots,
 *	no empty label) or address literals in brackets.  Quoted local parts
 *	are kept as written.  The address is at most 320 bytes.  A byte
 *	outside ASCII anywhere in it is refused (SM_ADDR_8BIT, 5.6.7):
 *	without SMTPUTF8 (RFC 6531), which this program does not offer nor
 *	send, an address is ASCII, and one that is not may not be taken
 *	nor passed on (section 3.5).
 *	sm_addr_list() takes an RFC 5322 address list, drops display
 *	names, comments, group names and blanks, and adds each address it
 *	finds to the list, unchecked: parse each with sm_addr_parse().
 */
#ifndef SM_ADDR_H
#define SM_ADDR_H

#include "sm_config.h"

#include <stdbool.h>
#include <stddef.h>

#include "sm_strlist.h"

enum sm_addr_result {
	SM_ADDR_OK,
	SM_ADDR_UNBALANCED,	/* 553 5.0.0 Unbalanced '<' */
	SM_ADDR_ROUTE,		/* 553 5.1.3 Invalid route address */
	SM_ADDR_NOHOST,		/* 553 5.1.3 Hostname required */
	SM_ADDR_BADHOST,	/* 553 5.1.2 Invalid host name */
	SM_ADDR_LIST,		/* 553 5.1.3 List:; syntax illegal */
	SM_ADDR_SYNTAX,		/* 553 5.1.3 Syntax error in address */
	SM_ADDR_TOOLONG,	/* 553 5.1.3 Address too long */
	SM_ADDR_8BIT		/* 553 5.6.7 Non-ASCII address ... */
};

struct sm_addr {
	bool	 null;		/* "<>" */
	char	*local;		/* local part, as written */
	char	*domain;	/* NULL when unqualified */
	char	*text;		/* local@domain, or local */
};

enum sm_addr_result sm_addr_split(const char *, char **, char **);
enum sm_addr_result sm_addr_parse(const char *, struct sm_addr *);
const char	*sm_addr_errtext(enum sm_addr_result);
const char	*sm_addr_dsn(enum sm_addr_result);
bool		 sm_addr_valid_domain(const char *);
void		 sm_addr_free(struct sm_addr *);
bool		 sm_addr_xtext_ok(const char *);
size_t		 sm_addr_list(const char *, struct sm_strlist *);

#endif /* SM_ADDR_H */
