INSERT INTO teachers VALUES
    (1, 'Turing', 'CS'),
    (2, 'Noether', 'Math'),
    (3, 'Curie', 'Physics'),
    (4, 'Hopper', 'CS');
INSERT INTO students VALUES
    (1, 'Ada', 1, 1),
    (2, 'Ben', 1, 2),
    (3, 'Cy', 2, 1),
    (4, 'Dot', 2, NULL),
    (5, 'Eli', 3, 3),
    (6, 'Flo', 3, NULL);
INSERT INTO courses VALUES
    (1, 'Algorithms', 1, 6),
    (2, 'Databases', 1, 4),
    (3, 'Algebra', 2, 5),
    (4, 'Mechanics', 3, 5),
    (5, 'Seminar', NULL, 1);
INSERT INTO enrollments VALUES
    (1, 1, 90), (1, 2, 85), (1, 3, NULL),
    (2, 1, 70), (2, 3, 95), (2, 4, 60),
    (3, 2, NULL), (3, 4, 88),
    (4, 1, 55), (4, 5, 100),
    (5, 3, 80), (5, 4, 92), (5, 2, 85);
