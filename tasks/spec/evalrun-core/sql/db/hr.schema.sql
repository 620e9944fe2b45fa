CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE employees (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    department_id INTEGER REFERENCES departments(id),  -- NULL: not assigned
    manager_id INTEGER REFERENCES employees(id),       -- NULL: reports to no one
    salary INTEGER NOT NULL,
    hired TEXT NOT NULL                                -- 'YYYY-MM-DD'
);
