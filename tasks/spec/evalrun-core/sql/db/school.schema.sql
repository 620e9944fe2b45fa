CREATE TABLE teachers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    department TEXT NOT NULL
);
CREATE TABLE students (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    advisor_id INTEGER REFERENCES teachers(id)   -- NULL: no advisor yet
);
CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    teacher_id INTEGER REFERENCES teachers(id),  -- NULL: not assigned yet
    credits INTEGER NOT NULL
);
CREATE TABLE enrollments (
    student_id INTEGER NOT NULL REFERENCES students(id),
    course_id INTEGER NOT NULL REFERENCES courses(id),
    grade INTEGER,      -- 0..100; NULL while the course is in progress
    PRIMARY KEY (student_id, course_id)
);
