divert(-1)
#
# FEATURE(`local_procmail' [, path [, argv [, flags]]]) - deliver local
# mail with procmail (or another LDA):
#	Mlocal, P=/usr/bin/procmail, F=...SPfhn9, ..., A=procmail -Y -a $h -d $u
#
define(`_CF_LOADED_', `1')dnl
define(`_LOCAL_PROCMAIL_', `1')
define(`_LOCAL_PROCMAIL_PATH_', defn(`_ARG_'))
define(`_LOCAL_PROCMAIL_ARGS_', defn(`_ARG2_'))
define(`_LOCAL_PROCMAIL_FLAGS_', defn(`_ARG3_'))
