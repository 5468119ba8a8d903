divert(-1)
#
# FEATURE(`local_lmtp' [, path [, argv]]) - local delivery over LMTP:
#	Mlocal, P=/usr/libexec/mail.local, F=...PSXmnz9, ..., A=mail.local -l
#
define(`_CF_LOADED_', `1')dnl
undefine(`_LOCAL_PROCMAIL_')
define(`_LOCAL_LMTP_', `1')
define(`_LOCAL_LMTP_PATH_', ifelse(defn(`_ARG_'), `',
    `ifdef(`confEBINDIR', `confEBINDIR', `/usr/libexec')/mail.local', `defn(`_ARG_')'))
define(`_LOCAL_LMTP_ARGS_', ifelse(defn(`_ARG2_'), `', `mail.local -l', `defn(`_ARG2_')'))
