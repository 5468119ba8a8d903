divert(-1)
#
# MAILER(`prog') - the prog mailer, which comes with MAILER(local).
#
define(`_CF_LOADED_', `1')dnl
