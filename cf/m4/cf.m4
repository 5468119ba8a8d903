divert(-1)
#
# cf.m4 - turn a sendmail .mc file into a sendmaild .cf file.
#
# A .mc file includes this file first:
#	divert(-1)dnl
#	include(`/usr/share/sendmaild/cf/m4/cf.m4')dnl
#	OSTYPE(`linux')dnl
#	...
# and is run through GNU m4:  m4 site.mc > sendmail.cf
#
# This file finds the tree it belongs to from its own name (GNU m4's
# __file__), so the include line may name an installed tree or a source
# tree, by absolute or relative path.  It defines the macros a .mc file
# uses and registers proto.m4 to run at the end of input, so every
# define in the .mc file is known when the configuration is written.
#
# Errors name the macro and the .mc line; m4 then exits 1.  Warnings
# (an unknown confXXX variable, a deprecated feature) leave the exit
# status alone.
#
ifdef(`__gnu__', `',
	`errprint(`*** ERROR: the sendmaild cf tree needs GNU m4
')m4exit(`1')')

ifdef(`_CF_DIR_', `',
	`define(`_CF_DIR_', ifelse(regexp(__file__, `/'), `-1', `../',
	    `regexp(__file__, `^\(.*/\)?m4/cf\.m4$', `\1')'))')

define(`_CF_VERSION_', `0.1.0')

# _CF_WHERE_ - "file:line: " of the .mc text being read
define(`_CF_WHERE_', `__file__:__line__: ')

# _CF_ERROR_(text) - report an error; m4 will exit 1 at the end
define(`_CF_ERROR_',
	`errprint(_CF_WHERE_`*** ERROR: $1
')define(`_CF_FAILED_', `1')')

# _CF_WARN_(text) - report a warning
define(`_CF_WARN_', `errprint(_CF_WHERE_`WARNING: $1
')')

# _CF_QUIET_(text) - expand text with its output thrown away, then go
# back to the diversion that was in use (LOCAL_CONFIG text may follow)
define(`_CF_QUIET_',
	`pushdef(`_CF_DIV_', divnum)divert(-1)$1`'divert(_CF_DIV_)popdef(`_CF_DIV_')')

# _CF_EMIT_(n, line) - add a line to diversion n, keep the current one
define(`_CF_EMIT_',
	`pushdef(`_CF_DIV_', divnum)divert(`$1')$2
divert(_CF_DIV_)popdef(`_CF_DIV_')')

# _CF_SET_ADD_(name, word) - add word to a blank-separated set
define(`_CF_SET_ADD_',
	`ifdef(`$1', `ifelse(index(` 'defn(`$1')` ', ` $2 '), `-1',
	    `define(`$1', defn(`$1')` $2')')', `define(`$1', `$2')')')

# _CF_NAME_OK_(name) - only letters, digits, _ and - in file names
define(`_CF_NAME_OK_', `ifelse(regexp(`$1', `^[A-Za-z0-9_][A-Za-z0-9_.-]*$'),
	`0', `ifelse(index(`$1', `..'), `-1', `1', `0')', `0')')

#
# Every confXXX a .mc file may define is known here (options.m4); a
# define of another name starting with "conf" draws a warning, because
# sendmail would silently write nothing for it.  A variable of
# sendmail's tree that this tree cannot honour (unsupported.m4) is an
# error.
#
define(`_CF_BUILTIN_DEFINE_', defn(`define'))
_CF_BUILTIN_DEFINE_(`define',
	`ifelse(index(`$1', `conf'), `0', `_CF_CHECK_CONF_(`$1')',
	    `ifdef(`_CF_NO_VARIABLE_$1',
		`_CF_ERROR_(`define($1): 'defn(`_CF_NO_VARIABLE_$1'))')')dnl
_CF_BUILTIN_DEFINE_($@)')
define(`_CF_CHECK_CONF_',
	`ifdef(`_CF_KNOWN_$1', `',
	    `_CF_WARN_(`define($1): unknown configuration variable; nothing is written for it')')')

include(_CF_DIR_`m4/options.m4')
include(_CF_DIR_`m4/unsupported.m4')

# VERSIONID(text) - a comment near the top of the .cf
define(`VERSIONID', `#####  $1  #####
')

# OSTYPE(name), DOMAIN(name), FEATURE(name, args...), MAILER(name)
define(`_CF_INCLUDE_',
	`pushdef(`_CF_WHERE_', __file__`:'__line__`: ')dnl
ifelse(_CF_NAME_OK_(`$2'), `1',
	    `undefine(`_CF_LOADED_')sinclude(_CF_DIR_`$1/$2.m4')ifdef(`_CF_LOADED_', `',
		`ifdef(`_CF_NO_$1_$2',
		    `_CF_ERROR_(`$3($2) is not supported by this tree: 'defn(`_CF_NO_$1_$2'))',
		    `_CF_ERROR_(`$3($2): unknown $4 (no $1/$2.m4 in the tree): 'defn(`_CF_NO_$1_'))')')',
	    `_CF_ERROR_(`$3($2): invalid name')')popdef(`_CF_WHERE_')')
define(`OSTYPE', `_CF_QUIET_(`ifdef(`_MAILER_SEEN_',
	`_CF_ERROR_(`OSTYPE($1) must come before MAILER()')')dnl
_CF_INCLUDE_(`ostype', `$1', `OSTYPE', `operating system type')define(`_OSTYPE_', `$1')')')
define(`DOMAIN', `_CF_QUIET_(`_CF_INCLUDE_(`domain', `$1', `DOMAIN', `domain')')')
define(`HACK', `_CF_QUIET_(`_CF_ERROR_(`HACK($1): hacks are not supported: remove it, or write the lines it should add after LOCAL_CONFIG instead')')')
define(`FEATURE', `_CF_QUIET_(`_CF_FEATURE_($@)')')
define(`_CF_FEATURE_',
	`ifdef(`_MAILER_SEEN_', `ifdef(`_CF_BEFORE_MAILER_$1',
	    `_CF_ERROR_(`FEATURE($1) must come before MAILER(): it changes the mailers')',
	    `_CF_WARN_(`FEATURE($1) should be before MAILER()')')')dnl
pushdef(`_ARG_', `$2')pushdef(`_ARG2_', `$3')pushdef(`_ARG3_', `$4')dnl
pushdef(`_ARG4_', `$5')pushdef(`_NUL_ARGS_', `$#')dnl
_CF_INCLUDE_(`feature', `$1', `FEATURE', `feature')dnl
ifdef(`_CF_LOADED_', `_CF_SET_ADD_(`_CF_FEATURES_', `$1')define(`_FEATURE_$1_', `1')')dnl
popdef(`_ARG_')popdef(`_ARG2_')popdef(`_ARG3_')popdef(`_ARG4_')popdef(`_NUL_ARGS_')')
# _CF_CLIENT_LIMIT_(name) - FEATURE(conncontrol) and FEATURE(ratecontrol):
# they read the access map, so FEATURE(access_db) comes first; the
# arguments `nodelay' (with FEATURE(delay_checks) only) and `terminate'
# become the words name_nodelay and name_terminate of {Features}.
define(`_CF_CLIENT_LIMIT_',
	`ifdef(`_FEATURE_access_db_', `',
	    `_CF_ERROR_(`FEATURE($1) requires FEATURE(access_db) before it')')dnl
ifelse(defn(`_ARG_'), `', `',
    defn(`_ARG_'), `nodelay', `ifdef(`_FEATURE_delay_checks_',
	`_CF_SET_ADD_(`_CF_FEATURES_', `$1_nodelay')',
	`_CF_ERROR_(`FEATURE($1, nodelay) requires FEATURE(delay_checks) before it')')',
    `_CF_ERROR_(`FEATURE($1): the first argument is nodelay or empty, not '_ARG_)')dnl
ifelse(defn(`_ARG2_'), `', `',
    defn(`_ARG2_'), `terminate', `_CF_SET_ADD_(`_CF_FEATURES_', `$1_terminate')',
    `_CF_ERROR_(`FEATURE($1): the second argument is terminate or empty, not '_ARG2_)')')

# Features that change the mailers must come before MAILER(), as in
# sendmail; the others only draw a warning there.
define(`_CF_BEFORE_MAILER_local_procmail', `1')
define(`_CF_BEFORE_MAILER_local_lmtp', `1')
define(`_CF_BEFORE_MAILER_local_mbox', `1')
define(`_CF_BEFORE_MAILER_smrsh', `1')
define(`_CF_BEFORE_MAILER_nullclient', `1')
define(`_CF_BEFORE_MAILER_msp', `1')
define(`MAILER', `_CF_QUIET_(`_CF_MAILER_(`$1')')')
define(`_CF_MAILER_',
	`ifdef(`_MAILER_$1_', `_CF_ERROR_(`MAILER($1) already included')',
	    `ifelse(`$1', `smtp', `ifdef(`_MAILER_procmail_',
		`_CF_ERROR_(`MAILER(smtp) must come before MAILER(procmail)')')')dnl
_CF_INCLUDE_(`mailer', `$1', `MAILER', `mailer')dnl
ifdef(`_CF_LOADED_', `define(`_MAILER_$1_', `1')define(`_MAILER_SEEN_', `1')')')')

# Lists of words into classes, and files into classes.
define(`_CF_CLASS_', `_CF_EMIT_(`2', `C{$1}$2')')
define(`_CF_FCLASS_', `_CF_EMIT_(`2', `F{$1}$2')')
define(`LOCAL_DOMAIN', `_CF_CLASS_(`w', `$1')')
define(`EXPOSED_USER', `_CF_CLASS_(`E', `$1')')
define(`EXPOSED_USER_FILE', `_CF_FCLASS_(`E', `$1')')
define(`MASQUERADE_DOMAIN', `_CF_CLASS_(`M', `$1')')
define(`MASQUERADE_DOMAIN_FILE', `_CF_FCLASS_(`M', `$1')')
define(`MASQUERADE_EXCEPTION', `_CF_CLASS_(`N', `$1')')
define(`MASQUERADE_EXCEPTION_FILE', `_CF_FCLASS_(`N', `$1')')
define(`LOCAL_USER', `_CF_CLASS_(`L', `$1')')
define(`LOCAL_USER_FILE', `_CF_FCLASS_(`L', `$1')')
define(`RELAY_DOMAIN', `_CF_CLASS_(`R', `$1')')
define(`RELAY_DOMAIN_FILE', `_CF_FCLASS_(`R', `$1')')
define(`VIRTUSER_DOMAIN', `_CF_CLASS_(`VirtHost', `$1')_CF_CLASS_(`R', `$1')')
define(`VIRTUSER_DOMAIN_FILE', `_CF_FCLASS_(`VirtHost', `$1')')
define(`GENERICS_DOMAIN', `_CF_CLASS_(`G', `$1')')
define(`GENERICS_DOMAIN_FILE', `_CF_FCLASS_(`G', `$1')')
define(`CANONIFY_DOMAIN', `_CF_CLASS_(`Canonify', `$1')')
define(`CANONIFY_DOMAIN_FILE', `_CF_FCLASS_(`Canonify', `$1')')
define(`TRUST_AUTH_MECH', `_CF_CLASS_(`TrustAuthMech', `$1')')
define(`LDAPROUTE_DOMAIN', `_CF_CLASS_(`LDAPRoute', `$1')')
define(`LDAPROUTE_DOMAIN_FILE', `_CF_FCLASS_(`LDAPRoute', `$1')')
define(`LDAPROUTE_EQUIVALENT', `_CF_CLASS_(`LDAPRouteEquiv', `$1')')
define(`LDAPROUTE_EQUIVALENT_FILE', `_CF_FCLASS_(`LDAPRouteEquiv', `$1')')

# MASQUERADE_AS(domain) - $M; a .mc may also define MASQUERADE_NAME
define(`MASQUERADE_AS', `_CF_QUIET_(`define(`MASQUERADE_NAME', `$1')')')

# MAIL_FILTER, INPUT_MAIL_FILTER, QUEUE_GROUP - sendmail writes X and Q
# lines for them.  sendmaild reads those lines but calls no filter and
# has one queue, so a .mc that asks for them stops m4: mail must not
# pass unfiltered, nor land in a queue group that no run serves, only
# because the configuration was rebuilt.
define(`MAIL_FILTER', `_CF_QUIET_(`_CF_ERROR_(`MAIL_FILTER($1): mail filters (milters) are not called by this version: remove it, or keep sendmail while the filter is needed')')')
define(`INPUT_MAIL_FILTER', `_CF_QUIET_(`_CF_ERROR_(`INPUT_MAIL_FILTER($1): mail filters (milters) are not called by this version: remove it, or keep sendmail while the filter is needed')')')
define(`QUEUE_GROUP', `_CF_QUIET_(`_CF_ERROR_(`QUEUE_GROUP($1): queue groups are not implemented: remove it; every message uses QueueDirectory')')')

#
# MODIFY_MAILER_FLAGS(group, flags) - change the F= flags of a group of
# mailers: "+flags" adds them, "-flags" takes them away, anything else
# replaces them; a replacement wins over the + and - of the same group.
# mailers.m4 applies the changes (_CF_MF_) when it writes the M lines.
#
define(`_CF_MF_GROUPS_', `LOCAL SHELL SMTP ESMTP SMTP8 DSMTP RELAY PROCMAIL')
define(`MODIFY_MAILER_FLAGS', `_CF_QUIET_(`ifelse(index(
	` '_CF_MF_GROUPS_` ', ` $1 '), `-1',
	`_CF_ERROR_(`MODIFY_MAILER_FLAGS($1): this tree has no such group of mailers: use one of '_CF_MF_GROUPS_` instead')',
	substr(`$2', 0, 1), `+', `_CF_APPEND_(`_CF_MF_ADD_$1', substr(`$2', 1))',
	substr(`$2', 0, 1), `-', `_CF_APPEND_(`_CF_MF_DEL_$1', substr(`$2', 1))',
	`define(`_CF_MF_SET_$1', `$2')')')')
# _CF_APPEND_(name, text) - add text to the end of name's value
define(`_CF_APPEND_', `define(`$1', ifdef(`$1', `defn(`$1')')`$2')')
# _CF_MF_(group, flags) - flags as the group's MODIFY_MAILER_FLAGS left them
define(`_CF_MF_', `ifdef(`_CF_MF_SET_$1', `defn(`_CF_MF_SET_$1')',
	`_CF_MF_PLUS_(_CF_MF_MINUS_(`$2',
	    ifdef(`_CF_MF_DEL_$1', `defn(`_CF_MF_DEL_$1')')),
	    ifdef(`_CF_MF_ADD_$1', `defn(`_CF_MF_ADD_$1')'))')')
# _CF_MF_MINUS_(flags, chars) - flags less the first of each of chars
define(`_CF_MF_MINUS_', `ifelse(`$2', `', ``$1'', `_CF_MF_MINUS_(
	_CF_MF_CUT_(`$1', index(`$1', substr(`$2', 0, 1))), substr(`$2', 1))')')
define(`_CF_MF_CUT_', `ifelse(`$2', `-1', ``$1'',
	``'substr(`$1', 0, `$2')`'substr(`$1', incr(`$2'))')')
# _CF_MF_PLUS_(flags, chars) - flags and those of chars not yet in them
define(`_CF_MF_PLUS_', `ifelse(`$2', `', ``$1'', `_CF_MF_PLUS_(
	ifelse(index(`$1', substr(`$2', 0, 1)), `-1',
	    ``$1'substr(`$2', 0, 1)', ``$1''), substr(`$2', 1))')')

# PUSHDIVERT(-1) ... POPDIVERT - text in between is not written.  Other
# diversion numbers of sendmail's tree have no meaning here.
define(`PUSHDIVERT', `ifelse(`$1', `-1', `pushdef(`_CF_PUSHED_', divnum)divert(-1)',
	`_CF_QUIET_(`_CF_ERROR_(`PUSHDIVERT($1): the diversion numbers of sendmail-cf mean nothing in this tree: use LOCAL_CONFIG or MAILER_DEFINITIONS instead')')')')
define(`POPDIVERT', `ifdef(`_CF_PUSHED_', `divert(_CF_PUSHED_)popdef(`_CF_PUSHED_')',
	`_CF_QUIET_(`_CF_ERROR_(`POPDIVERT without PUSHDIVERT(-1): remove it')')')')

# Helpers of sendmail's tree that .mc files use in their own lines.
define(`CF_LEVEL', `10')
# CONCAT(a, b, ...) - the arguments joined
define(`CONCAT', `ifelse(`$#', `1', `$1', `$1`'CONCAT(shift($@))')')
# DOL(x) - $x, for macro references in text that m4 rewrites
define(`DOL', `$$1')
define(`lower', `translit(`$1', `ABCDEFGHIJKLMNOPQRSTUVWXYZ',
	`abcdefghijklmnopqrstuvwxyz')')
# strcasecmp(a, b) - 1 when a and b differ only in case, else 0
define(`strcasecmp', `ifelse(lower(`$1'), lower(`$2'), `1', `0')')
# UUCPSMTP(uucp-host, internet-host) - the rule that sends host.UUCP to
# its Internet name; like every rule, sendmaild skips it
define(`UUCPSMTP', `R`'DOL(*) < @ $1 .UUCP > DOL(*)	DOL(1) < @ $2 > DOL(2)')

# DAEMON_OPTIONS(fields), CLIENT_OPTIONS(fields) - one line each call
define(`DAEMON_OPTIONS',
	`_CF_EMIT_(`3', `O DaemonPortOptions=$1')_CF_QUIET_(`define(`_DAEMON_OPTIONS_SEEN_', `1')')')
define(`CLIENT_OPTIONS',
	`_CF_EMIT_(`4', `O ClientPortOptions=$1')_CF_QUIET_(`define(`_CLIENT_OPTIONS_SEEN_', `1')')')

# Raw .cf text: LOCAL_CONFIG lines go after the local information,
# MAILER_DEFINITIONS lines with the mailers.  Rewriting rules are not
# used by sendmaild: text after LOCAL_RULESETS and the like is dropped
# with a warning.
define(`LOCAL_CONFIG', `divert(6)')
define(`MAILER_DEFINITIONS', `divert(7)')
define(`_CF_NO_RULES_',
	`_CF_WARN_(`$1: rewriting rules are not used; the text that follows is ignored')divert(-1)')
define(`LOCAL_RULESETS', `_CF_NO_RULES_(`LOCAL_RULESETS')')
define(`LOCAL_NET_CONFIG', `_CF_NO_RULES_(`LOCAL_NET_CONFIG')')
define(`LOCAL_RULE_0', `_CF_NO_RULES_(`LOCAL_RULE_0')')
define(`LOCAL_RULE_1', `_CF_NO_RULES_(`LOCAL_RULE_1')')
define(`LOCAL_RULE_2', `_CF_NO_RULES_(`LOCAL_RULE_2')')
define(`LOCAL_RULE_3', `_CF_NO_RULES_(`LOCAL_RULE_3')')
define(`LOCAL_SRV_FEATURES', `_CF_NO_RULES_(`LOCAL_SRV_FEATURES')')
define(`LOCAL_CLT_FEATURES', `_CF_NO_RULES_(`LOCAL_CLT_FEATURES')')
define(`LOCAL_TRY_TLS', `_CF_NO_RULES_(`LOCAL_TRY_TLS')')
define(`LOCAL_TLS_RCPT', `_CF_NO_RULES_(`LOCAL_TLS_RCPT')')
define(`LOCAL_TLS_CLIENT', `_CF_NO_RULES_(`LOCAL_TLS_CLIENT')')
define(`LOCAL_TLS_SERVER', `_CF_NO_RULES_(`LOCAL_TLS_SERVER')')
define(`LOCAL_DNSBL', `_CF_NO_RULES_(`LOCAL_DNSBL')')
define(`LOCAL_UUCP', `_CF_NO_RULES_(`LOCAL_UUCP')')

# Defaults a .mc file may override before or after the FEATUREs.
define(`MAIL_SETTINGS_DIR', `/etc/mail/')
define(`DATABASE_MAP_TYPE', `hash')

m4wrap(`include(_CF_DIR_`m4/proto.m4')')
divert(0)dnl
#
# sendmail.cf for sendmaild, written by m4 from a .mc file with the
# sendmaild cf tree.  Edit the .mc file, not this file.
#
