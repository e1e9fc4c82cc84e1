package main

import "fmt"

func runReview(args []string) error { return fmt.Errorf("not implemented") }
