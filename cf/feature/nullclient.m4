divert(-1)
#
# FEATURE(`nullclient', host) - send everything, local mail included, to
# host through the relay mailer; no aliases, no .forward:
#	DShost, DHhost, DMhost, no AliasFile, ForwardPath empty
#
define(`_CF_LOADED_', `1')dnl
ifelse(defn(`_ARG_'), `', `_CF_ERROR_(`FEATURE(nullclient) needs the host to relay to')')
define(`SMART_HOST', defn(`_ARG_'))
define(`MAIL_HUB', defn(`_ARG_'))
define(`MASQUERADE_NAME', defn(`_ARG_'))
define(`ALIAS_FILE', `_CF_OMIT_')
define(`confFORWARD_PATH', `')
define(`_MAILER_smtp_', `1')
