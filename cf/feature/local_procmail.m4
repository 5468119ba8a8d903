divert(-1)
#
# FEATURE(`local_procmail' [, path [, argv [, flags]]]) - deliver local
# mail with procmail (or another LDA):
#	Mlocal, P=/usr/bin/procmail, F=...SPfhn9, ..., A=procmail -Y -a $h -d $u
# It sets LOCAL_MAILER_PATH, _ARGS and _FLAGS now, as sendmail's does:
# a define of them later in the .mc wins.
#
define(`_CF_LOADED_', `1')dnl
define(`LOCAL_MAILER_PATH', ifelse(defn(`_ARG_'), `',
    `ifdef(`PROCMAIL_MAILER_PATH', `defn(`PROCMAIL_MAILER_PATH')', `/usr/bin/procmail')',
    `defn(`_ARG_')'))
define(`LOCAL_MAILER_ARGS', ifelse(defn(`_ARG2_'), `',
    `procmail -Y -a $h -d $u', `defn(`_ARG2_')'))
define(`LOCAL_MAILER_FLAGS', ifelse(defn(`_ARG3_'), `', `SPfhn9', `defn(`_ARG3_')'))
undefine(`_LOCAL_LMTP_')
undefine(`LOCAL_MAILER_DSN_DIAGNOSTIC_CODE')
