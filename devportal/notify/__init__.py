"""Telling teams what happened to their APIs: subscriptions (a team's e-mail addresses and webhook
URLs, per event kind and optionally per API), what each event says (kinds), Standard Webhooks
signatures, and the deliveries the notification state machine makes and records."""
