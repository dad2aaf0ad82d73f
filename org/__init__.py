"""The org directory: units (承办单位), staff and their roles, duty rosters, holidays and the
working-time calendar. The foundation every other package stands on; it imports none of them.
(Its Django app label is "dispatch", which its tables carry.)"""
