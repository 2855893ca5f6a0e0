"""The programme's pillars and their objectives (understand, engage, deliver), as data the
unit keeps: the annual report counts them through the metric engine (docs/programme.md)."""
