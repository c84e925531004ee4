import NotMNISTCommands

// placeholder
print("notmnist")
