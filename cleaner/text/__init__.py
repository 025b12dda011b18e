"""What the steps know about text: its language (:mod:`.language`), its style (:mod:`.style`) and the
shapes of its lines (:mod:`.shapes`)."""
