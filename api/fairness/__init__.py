"""The API of issue 19: public round results and verification files, objections, appeals."""
