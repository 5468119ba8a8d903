divert(-1)
#
# FEATURE(`relay_mail_from') - the word relay_mail_from in the class {Features}; sendmaild acts
# on it natively (see cf/README).
#
define(`_CF_LOADED_', `1')dnl
