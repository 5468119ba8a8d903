divert(-1)
#
# FEATURE(`smrsh' [, path]) - run programs through smrsh:
#	Mprog, P=/usr/sbin/smrsh, ..., A=smrsh -c $u
# It sets LOCAL_SHELL_PATH now, and LOCAL_SHELL_ARGS unless the .mc did.
#
define(`_CF_LOADED_', `1')dnl
define(`LOCAL_SHELL_PATH', ifelse(defn(`_ARG_'), `',
    `ifdef(`confEBINDIR', `defn(`confEBINDIR')', `/usr/libexec')`/smrsh'',
    `defn(`_ARG_')'))
ifdef(`LOCAL_SHELL_ARGS', `', `define(`LOCAL_SHELL_ARGS', `smrsh -c $u')')
