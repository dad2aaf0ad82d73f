"""Ways a notice reaches a person besides the console's bell (which is the Notification row).

One module per family, each a class with ``name`` and ``send(notice)``; ``settings.NOTIFIERS``
names the ones in use. A notifier raises on failure and the delivery task retries it later.
"""
