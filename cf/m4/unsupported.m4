divert(-1)
#
# unsupported.m4 - what sendmail's m4 tree offers and this one does not.
# Each stops m4: the error names the macro and the .mc line and says
# what to do instead (cf/README lists them all).  Writing the lines
# sendmail writes would give a .cf that sendmaild either refuses or
# reads without doing what the .mc asked.
#
# _CF_NO_<kind>_<name>: why FEATURE(name), MAILER(name), OSTYPE(name) or
# DOMAIN(name) is missing, and what to do; _CF_NO_<kind>_ for a name
# that neither tree knows.  _CF_NO_VARIABLE_<name>: why
# define(`name', ...) is refused.
#

define(`_CF_NO_feature_',
	`remove it; cf/README lists the features of this tree')
define(`_CF_NO_mailer_',
	`remove it; this tree has the mailers local, prog, smtp, procmail and cyrusv2 (write another one after MAILER_DEFINITIONS instead)')
define(`_CF_NO_ostype_',
	`use OSTYPE(linux), OSTYPE(debian) or OSTYPE(bsd) instead and define the paths that differ')
define(`_CF_NO_domain_',
	`remove it, or copy the defines of the domain file into the .mc instead')

# Features of sendmail's tree: rules or lookups sendmaild does not do.
define(`_CF_NO_feature_bcc',
	`copies to another address need rules this tree does not write: remove it')
define(`_CF_NO_feature_bitdomain',
	`BITNET addresses are not rewritten: remove it')
define(`_CF_NO_feature_check_cert_altnames',
	`the SetCertAltnames option is not implemented: remove it')
define(`_CF_NO_feature_domainmap',
	`remove it, and map the addresses with FEATURE(virtusertable) instead')
define(`_CF_NO_feature_drac',
	`POP-before-SMTP is not implemented: remove it, and let clients use AUTH instead')
define(`_CF_NO_feature_ldap_routing',
	`LDAP routing is not implemented: remove it, and route with FEATURE(mailertable) or FEATURE(virtusertable) instead')
define(`_CF_NO_feature_mtamark',
	`MTA marks are not looked up: remove it')
define(`_CF_NO_feature_prefixmod',
	`address prefixes are not rewritten: remove it')
define(`_CF_NO_feature_rhsbl',
	`domain block lists are not looked up: remove it')
define(`_CF_NO_feature_tls_failures',
	`use define(confTLS_FALLBACK_TO_CLEAR, true) instead')
define(`_CF_NO_feature_uucpdomain',
	`UUCP is not supported: remove it')
define(`_CF_NO_feature_virtuser_entire_domain',
	`list each subdomain with VIRTUSER_DOMAIN instead')
define(`_CF_NO_feature_vnet',
	`VNET addresses are not rewritten: remove it')

# Variables of sendmail's tree whose effect sendmaild does not have.
define(`_CF_NO_VARIABLE_UUCP_RELAY',
	`UUCP is not supported (.UUCP addresses are not relayed): remove it')
define(`_CF_NO_VARIABLE_BITNET_RELAY',
	`BITNET is not supported (.BITNET addresses are not relayed): remove it')
define(`_CF_NO_VARIABLE_DECNET_RELAY',
	`DECnet is not supported (.DECNET addresses are not relayed): remove it')
define(`_CF_NO_VARIABLE_FAX_RELAY',
	`there is no fax mailer (.FAX addresses are not relayed): remove it')
define(`_CF_NO_VARIABLE_TLS_PERM_ERR',
	`a TLS requirement of the access map that fails is always a temporary failure (4.7.0) here: remove it')
define(`_CF_NO_VARIABLE_DNSBL_MAP',
	`FEATURE(dnsbl) writes no map in this tree: remove it')
define(`_CF_NO_VARIABLE_DNSBL_MAP_OPT',
	`FEATURE(dnsbl) writes no map in this tree: remove it')
define(`_CF_NO_VARIABLE_EDNSBL_TO',
	`FEATURE(enhdnsbl) writes no map in this tree: remove it')

# Macros of sendmail's tree for UUCP sites.
define(`SITECONFIG',
	`_CF_QUIET_(`_CF_ERROR_(`SITECONFIG($1): UUCP sites are not supported: remove it and its SITE lines')')')
define(`SITE',
	`_CF_QUIET_(`_CF_ERROR_(`SITE($1): UUCP sites are not supported: remove it')')')
