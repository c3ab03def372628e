"""English formats that differ from Django's: the clock as browsers write it ("7:55 PM"), so a
message rendered by the server and one added live by chat.js show the same time."""

TIME_FORMAT = "g:i A"
