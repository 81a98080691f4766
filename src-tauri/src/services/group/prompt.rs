//! The prompt as one member of a group sees it. Step 4 fills this in.
