CREATE TABLE readings (
    sensor TEXT NOT NULL,
    taken_at TEXT NOT NULL,   -- 'YYYY-MM-DD HH:MM'
    value REAL                -- NULL when the reading failed
);
CREATE TABLE logins (
    user TEXT NOT NULL,
    day TEXT NOT NULL,        -- 'YYYY-MM-DD'
    PRIMARY KEY (user, day)
);
