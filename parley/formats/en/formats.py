"""English formats that differ from Django's: the clock as browsers write it ("7:55 PM"), so a
message rendered by the server and one added live by chat.js show the same time, and a date
with its time ("May 6, 2030, 7:55 PM") writes the clock the same way."""

TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "N j, Y, g:i A"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
