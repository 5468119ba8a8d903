divert(-1)
#
# FEATURE(`msp' [, host [, `MSA']]) - a submission-only configuration:
# relay everything to host (default [localhost]), on port 587 with MSA.
#
define(`_CF_LOADED_', `1')dnl
define(`SMART_HOST', ifelse(defn(`_ARG_'), `', `[localhost]', `defn(`_ARG_')'))
ifelse(defn(`_ARG2_'), `MSA', `define(`RELAY_MAILER_ARGS', `TCP $h 587')')
define(`_MAILER_smtp_', `1')
